import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { useLayoutEffect, useRef, useState } from "react";

import type { Offer } from "../../../lib/api/client";
import { OfferCard } from "./OfferCard";

interface Props {
  offers: Offer[];
  onSelect: (offer: Offer) => void;
}

/**
 * The offers as a list, virtualized: only the cards near the viewport are in the DOM, so 500
 * offers scroll as smoothly as 5. Each item says its place in the whole list (aria-posinset),
 * since the DOM holds only a window of it.
 */
export function OfferList({ offers, onSelect }: Props) {
  const listRef = useRef<HTMLUListElement>(null);
  const [offset, setOffset] = useState(0);
  useLayoutEffect(() => {
    setOffset(listRef.current?.offsetTop ?? 0);
  }, []);
  const virtualizer = useWindowVirtualizer({
    count: offers.length,
    estimateSize: () => 150,
    overscan: 6,
    scrollMargin: offset,
    getItemKey: (index) => offers[index]?.id ?? index,
  });
  const items = virtualizer.getVirtualItems();
  return (
    <ul
      ref={listRef}
      className="offer-list"
      aria-label="Offers"
      style={{ height: virtualizer.getTotalSize() }}
    >
      {items.map((item) => {
        const offer = offers[item.index];
        if (!offer) return null;
        return (
          <li
            key={item.key}
            data-index={item.index}
            ref={virtualizer.measureElement}
            aria-setsize={offers.length}
            aria-posinset={item.index + 1}
            style={{ transform: `translateY(${item.start - virtualizer.options.scrollMargin}px)` }}
          >
            <OfferCard offer={offer} onSelect={onSelect} />
          </li>
        );
      })}
    </ul>
  );
}
