"""`OrderService`: the order use cases — create (idempotent: booking/creation.py), get, list,
cancel."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence

import asyncpg

from booking import metrics
from booking.cancellation_terms import Terms, money_back
from booking.creation import OrderCreation
from booking.departures import check_not_begun
from booking.model import Order, is_order_id
from booking.money import OrderMoney, nothing_charged
from booking.pagination import EVERY_ORDER, OrderFilter
from booking.ports import MoneyLedger, PaidChanged
from booking.state import Change
from kernel.auth import Principal
from kernel.cursors import Position, one_page
from kernel.errors import Conflict, Forbidden, NotFound


class OrderService(OrderCreation):
    """Orders for travelers: `OrderCreation` and reading and cancelling them."""

    _ledger: MoneyLedger | None = None

    def use_ledger(self, ledger: MoneyLedger | None) -> None:
        """Answer what an order's charges add up to (`money_of`) from the payment `ledger`."""
        self._ledger = ledger

    # -- read -----------------------------------------------------------------------------------

    async def get(self, principal: Principal, order_id: str) -> Order:
        """The caller's order (any order for support); `NotFound` otherwise, never 403."""
        order = await self.repository.get(order_id) if is_order_id(order_id) else None
        if order is None or not order.visible or not _may_see(principal, order):
            raise NotFound(f"no order {order_id[:64]!r}")
        return order

    async def get_with_money(
        self, principal: Principal, order_id: str
    ) -> tuple[Order, OrderMoney | None]:
        """`get`, with what the card was charged for the order and what went back, read on the
        order's own connection (`money_of`)."""
        if self._ledger is None or not is_order_id(order_id):
            order = await self.get(principal, order_id)
            return order, await self.money_of(order)
        ledger = self._ledger

        async def money(conn: asyncpg.Connection, order: Order) -> OrderMoney | None:
            if not order.visible or not _may_see(principal, order):
                return None  # not the caller's: nothing read
            return (
                nothing_charged(order)
                if _unpaid_hold(order)
                else await ledger.money_of(order, conn)
            )

        found = await self.repository.get_with(order_id, money)
        if found is None or not found[0].visible or not _may_see(principal, found[0]):
            raise NotFound(f"no order {order_id[:64]!r}")
        return found

    async def money_of(self, order: Order) -> OrderMoney | None:
        """What the card was charged for `order`, and what went back; None without a ledger
        (no payment module on this deployment)."""
        if _unpaid_hold(order):
            return nothing_charged(order)
        if self._ledger is None:
            return None
        return await self._ledger.money_of(order)

    async def _money_of_page(
        self, orders: Sequence[Order], conn: asyncpg.Connection
    ) -> dict[str, OrderMoney | None]:
        """`money_of` for each of `orders`, by order id: those with charges to read are read
        in ONE query on `conn` (the one they were listed on), unpaid holds in none."""
        charged = [order for order in orders if not _unpaid_hold(order)]
        found: Mapping[str, OrderMoney] = {}
        if charged and self._ledger is not None:
            found = await self._ledger.money_of_orders(charged, conn)
        return {
            order.id: nothing_charged(order) if _unpaid_hold(order) else found.get(order.id)
            for order in orders
        }

    async def own(self, principal: Principal, order_id: str) -> Order:
        """The caller's order, to change its flights or seats. Support may read and cancel any
        order (API.md), not change another traveler's: `Forbidden`, as the agent can see the
        order exists; `NotFound` as `get` for everyone else."""
        order = await self.get(principal, order_id)
        if order.owner != principal.subject:
            raise Forbidden(
                "the support role may read and cancel another traveler's order; changing its"
                " flights or seats is the traveler's"
            )
        return order

    async def list_orders(
        self,
        principal: Principal,
        *,
        limit: int,
        after: Position | None,
        only: OrderFilter = EVERY_ORDER,
    ) -> tuple[list[Order], Position | None]:
        """A page of the caller's orders (everyone's for support) that pass `only`, newest
        first, and where the next page starts (None on the last page)."""
        owner = None if principal.is_support else principal.subject
        orders = await self.repository.list_orders(
            owner=owner, limit=limit + 1, after=after, only=only
        )
        return one_page(orders, limit, lambda order: Position(order.created_at, order.id))

    async def list_with_money(
        self,
        principal: Principal,
        *,
        limit: int,
        after: Position | None,
        only: OrderFilter = EVERY_ORDER,
    ) -> tuple[list[tuple[Order, OrderMoney | None]], Position | None]:
        """`list_orders`, each order with its `money` as its own GET answers it: the page's
        money read in one query, on the connection the page was listed on."""
        owner = None if principal.is_support else principal.subject

        async def money(
            conn: asyncpg.Connection, orders: list[Order]
        ) -> dict[str, OrderMoney | None]:
            return await self._money_of_page(orders[:limit], conn)  # not the next page's first

        orders, moneys = await self.repository.list_with(
            money, owner=owner, limit=limit + 1, after=after, only=only
        )
        page, last = one_page(orders, limit, lambda order: Position(order.created_at, order.id))
        return [(order, moneys[order.id]) for order in page], last

    # -- cancel ---------------------------------------------------------------------------------

    async def cancel(
        self, principal: Principal, order_id: str, *, asked_unpaid: bool = False
    ) -> Order:
        """Cancel at the airline, then `cancelled`, refunding a paid order by its fare conditions
        (a cancellation quote confirmed in one step); cancelling a cancelled order answers it
        unchanged, but for asking again for a refund still owed. `Conflict` for an expired
        order, or a paid one when refunds are not enabled; `ServiceUnavailable` when the
        airline cannot be reached (nothing changed). `asked_unpaid`: the traveler asked while
        the order was unpaid (a quote saying nothing is kept, confirmed as a payment landed),
        so whatever was paid since goes back whole, as it does when it lands during this call."""
        for _ in range(3):
            order = await self.get(principal, order_id)
            if order.status == "cancelled":
                metrics.cancel_outcome("already_cancelled")
                if order.payment_status == "paid" and self._refunds is not None:
                    # A refund still owed (the gateway refused a part, or did not answer):
                    # cancelling again asks for it now rather than at the reconciler's next round.
                    reason = "the order was cancelled"
                    return await self._refunds.refund(order, actor=principal.subject, reason=reason)
                return order
            self._check_cancellable(principal, order)
            await self.airline.cancel(order)
            # As a quote made now would say: a paid order gets back what its fare conditions
            # give. Money that arrives while an unpaid order is being cancelled all goes back
            # (the traveler cancelled before paying): the penalty is fixed by what we read.
            by_fare = order.payment_status == "paid" and not asked_unpaid
            terms = await self._money_back(order) if by_fare else None
            change = Change(
                from_status=(order.status,),
                to_status="cancelled",
                reason="cancelled by support" if principal.is_support else "cancelled by traveler",
                refund_amount=None if terms is None else terms.refund_amount,
                penalty_amount=None if terms is None else terms.penalty_amount,
                # its mail names the card the refund goes to, as the refund's own mail does
                refund_card_last4=await self.refund_card(order.id) if terms is not None else None,
            )
            owe = functools.partial(self._owe_refund, terms=terms)
            try:
                cancelled = await self.repository.transition(
                    order.id, change, actor=principal.subject, also=owe
                )
            except _PaidMeanwhile:
                continue  # paid since we looked, and refunds are off: refused next round
            except PaidChanged:
                continue  # a seat charge captured since we priced the refund: price it again
            if cancelled is None:
                continue  # it changed meanwhile (another cancel, a payment): look again
            metrics.cancel_outcome("cancelled")
            if cancelled.payment_status == "paid" and self._refunds is not None:
                reason = "the order was cancelled"
                return await self._refunds.refund(cancelled, actor=principal.subject, reason=reason)
            return cancelled
        raise Conflict("the order kept changing while it was being cancelled; retry")

    async def _money_back(self, order: Order) -> Terms:
        """What the fare conditions give back of all that was paid for `order`."""
        paid = None if self._refunds is None else await self._refunds.paid(order)
        return money_back(order, paid)

    async def refund_card(self, order_id: str) -> str | None:
        """The card a refund of the order goes to, for its cancellation's mail to name."""
        return None if self._refunds is None else await self._refunds.card(order_id)

    async def _owe_refund(
        self, conn: asyncpg.Connection, cancelled: Order, *, terms: Terms | None
    ) -> None:
        """In the cancel's transaction: a paid order's money is owed back from its commit on
        (the payment may have been captured after we looked: the guard reads the row as
        written, not our earlier read); what `terms` give back of it, None: all."""
        if cancelled.payment_status != "paid":
            return
        if self._refunds is None:
            raise _PaidMeanwhile  # rolls the cancel back
        await self._refunds.owe(
            conn,
            cancelled,
            reason="the order was cancelled",
            amount=None if terms is None else terms.refund_amount,
            paid=None if terms is None else terms.paid_amount,
        )

    def _check_cancellable(self, principal: Principal, order: Order) -> None:
        if order.status == "expired":
            metrics.cancel_outcome("refused")
            raise Conflict(
                "the order expired: its seats were released when payment was not made in time;"
                " there is nothing to cancel"
            )
        if order.payment_status == "paid" and self._refunds is None:
            metrics.cancel_outcome("refused")
            raise Conflict(
                "this order is paid and refunds are not enabled on this deployment;"
                " contact support to cancel it"
            )
        try:
            check_not_begun(principal, order, dt.datetime.now(dt.UTC))
        except Conflict:
            metrics.cancel_outcome("refused")
            raise


class _PaidMeanwhile(Exception):
    """The order became paid while being cancelled, on a deployment without refunds."""


def _unpaid_hold(order: Order) -> bool:
    """A hold not paid yet has no charge to read: its payment moves it to `paid` (or
    `confirmed`) before any other charge can exist."""
    return order.status == "held" and order.payment_status in ("unpaid", "failed")


def _may_see(principal: Principal, order: Order) -> bool:
    return principal.is_support or order.owner == principal.subject
