"""Facebook's fault vocabulary (see :class:`sandbox.faults.FaultVocabulary`): the Page's post
listing is the paged endpoint; Graph cursors travel in ``paging.next`` links."""

from sandbox.faults import FaultVocabulary
from sandbox.graph import fault_answers as graph

VOCABULARY = FaultVocabulary(
    network="facebook",
    accounts=("1000000001", "1000000002"),
    paged_path=r"/facebook/v[0-9.]+/{account}/posts$",
    stream="posts",
    paging="link",
    items=("data",),
    next=("paging", "next"),
    cursor_param="after",
    job_options={"history_days": 60, "page_size": 5, "comment_days": 3, "post_refresh_days": 3},
    throttled=lambda now: graph.throttled(),
    rate_limited=graph.rate_limited,
    expired_token=graph.expired_token(),
    invalid_cursor=graph.invalid_cursor(),
    server_errors=graph.SERVER_ERRORS,
)
