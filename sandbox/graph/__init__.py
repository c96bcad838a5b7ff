"""Meta Graph API building blocks shared by the Graph-speaking networks (Facebook, Instagram):
error shapes, field expansion, cursor paging, time windows, usage headers, token checks."""
