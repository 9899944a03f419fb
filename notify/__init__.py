"""The notification worker: order and payment events from the event stream → email and SMS.

- `wire.py` decodes only the fields notifications use (notify never imports booking).
- `templates.py` renders an event into the email and SMS to send (pure).
- `handlers.py` (`Notifier`) sends one event's notifications, each channel at most once per
  event id (`dedup.py`); `worker.py` (`NotifyWorker`) reads the stream as consumer group
  `notify`, acks after sending, retries with backoff (`retry.py`), claims the messages of dead
  consumers and parks messages that keep failing in `<stream>:dead` (`stream.py`).
- `mail.py` (SMTP) and `sms.py` (the SMS provider's HTTP API) are the adapters, over small
  clients of our own: `smtp.py` (pipelined, RFC 2920) and `kernel/http1.py` (kept-alive HTTP/1.1,
  shared with the airline clients).

- `pipeline.py` (`AutoPipeline`): the Redis commands of a batch's concurrent events (claims,
  "sent" marks, acks) go out as one pipeline per event-loop turn, not a round trip each.

Delivery is at least once and sends are deduplicated per (event id, channel), so a redelivery
never sends twice. "Sent" is written as soon as the provider accepted a message (in the next
loop turn's pipeline, never at the end of the batch); when Redis cannot take it then, the
worker remembers it and writes it on the retry instead of sending again. One window remains: a
worker that dies after the mail server or the SMS provider accepted a message but before it
recorded "sent" (one Redis round trip later) leaves a claim whose lease lapses, and the next
worker sends again. The Message-ID (and the SMS `reference`) derive from the event id and
channel, so receivers can tell the copies apart.
"""
