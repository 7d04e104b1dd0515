"""Who may do what: keys and scopes, stream tickets, rate limits, and what a reader may see."""
