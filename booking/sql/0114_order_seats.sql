-- The seat each passenger of an order holds on each segment (POST /v1/orders/{id}/seats), with
-- what it cost: a held order's total_amount includes these amounts.
CREATE TABLE order_seats (
    order_id     text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    segment_id   text NOT NULL,
    passenger_id text NOT NULL,
    designator   text NOT NULL,
    amount       numeric(12, 2) NOT NULL CHECK (amount >= 0),
    currency     char(3) NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, segment_id, passenger_id)
);
