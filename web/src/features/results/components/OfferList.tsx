import { useWindowVirtualizer, type Virtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useLayoutEffect, useRef, useState } from "react";

import type { Offer } from "../../../lib/api/client";
import { OfferCard } from "./OfferCard";

interface Props {
  offers: Offer[];
  onSelect: (offer: Offer) => void;
}

// About a one-way card's height with its gap: the first frame draws the cards this far apart.
const ESTIMATE_PX = 140;

/** A card's height from the ResizeObserver (after layout, before paint), never by reading the
 * layout while React commits: that forced a synchronous layout of the whole page before the
 * first offers could paint (bench/results/2026-12-04-web-paint.md). Until observed, the
 * height measured before, else the estimate. */
function measure(element: Element, entry: ResizeObserverEntry | undefined, instance: Virtualizer<Window, Element>): number {
  const box = entry?.borderBoxSize[0];
  if (box) return Math.round(box.blockSize);
  const key = instance.options.getItemKey(instance.indexFromElement(element));
  return instance.itemSizeCache.get(key) ?? ESTIMATE_PX;
}

// An offer's card is drawn once: a later airline's line adds cards, it does not redraw these.
const Card = memo(OfferCard);

/**
 * The offers as a list, virtualized: only the cards near the viewport are in the DOM, so 500
 * offers scroll as smoothly as 5. Each item says its place in the whole list (aria-posinset),
 * since the DOM holds only a window of it. The virtualizer places the cards itself (direct DOM
 * updates), so a card's measured height moves the cards below it before the frame is painted,
 * without another React render.
 */
export function OfferList({ offers, onSelect }: Props) {
  const listRef = useRef<HTMLUListElement | null>(null);
  const [offset, setOffset] = useState(0);
  useLayoutEffect(() => {
    setOffset(listRef.current?.offsetTop ?? 0);
  }, []);
  const virtualizer = useWindowVirtualizer({
    count: offers.length,
    estimateSize: () => ESTIMATE_PX,
    measureElement: measure,
    overscan: 6,
    scrollMargin: offset,
    getItemKey: (index) => offers[index]?.id ?? index,
    directDomUpdates: true,
    directDomUpdatesMode: "position", // `top`, not translate3d: a layer per card costs raster
  });
  const { containerRef } = virtualizer;
  const listed = useCallback(
    (node: HTMLUListElement | null) => {
      listRef.current = node;
      containerRef(node);
    },
    [containerRef],
  );
  const items = virtualizer.getVirtualItems();
  return (
    <ul
      ref={listed}
      className="offer-list"
      aria-label="Offers"
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
          >
            <Card offer={offer} onSelect={onSelect} />
          </li>
        );
      })}
    </ul>
  );
}
