"""Instagram professional accounts via the Instagram Graph API (graph.facebook.com)."""
