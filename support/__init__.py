"""The customer-support desk integration: cases opened from orders in the helpdesk, the
helpdesk's signed webhook (agents' replies and booking modifications run through the order
services under the agent's identity), and order events synced to the helpdesk."""
