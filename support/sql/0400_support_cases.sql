-- Support cases: one per traveler question about one order, mirrored in the helpdesk (its id in
-- `helpdesk_id`). `owner` is the JWT `sub` of the traveler who opened it, NULL when it was
-- opened anonymously (booking reference + family name). Messages are the conversation as we saw
-- it: the traveler's, and agents' replies delivered by the helpdesk's webhook.
CREATE TABLE support_cases (
    id          text PRIMARY KEY CHECK (id LIKE 'cas\_%'),
    owner       text,
    order_id    text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    helpdesk_id text UNIQUE,
    subject     text NOT NULL,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_cases_owner ON support_cases (owner, created_at DESC) WHERE owner IS NOT NULL;
CREATE INDEX support_cases_order ON support_cases (order_id);

CREATE TABLE support_messages (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id  text NOT NULL REFERENCES support_cases (id) ON DELETE CASCADE,
    author   text NOT NULL CHECK (author IN ('traveler', 'agent')),
    agent    text,                                     -- the agent's name, for agent messages
    body     text NOT NULL,
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX support_messages_case ON support_messages (case_id, id);

-- The helpdesk's webhook events applied: a redelivery finds its id here and changes nothing.
CREATE TABLE support_webhook_events (
    event_id    text PRIMARY KEY,
    type        text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
