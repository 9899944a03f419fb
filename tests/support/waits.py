"""How long a test waits for something that happens later (a webhook, a relay, a mail)."""

# Only a failing test waits this long. A test passes as soon as what it waits for happens; on a
# machine running other suites and browsers beside it, a chain of several hops (a helpdesk
# action, a cancellation, a refund by webhook, a mail) has taken over 20 s.
WAIT_S = 30.0
