"""Instagram's fault vocabulary (see :class:`sandbox.faults.FaultVocabulary`): the media
listing is the paged endpoint; Graph cursors travel in ``paging.next`` links, and Instagram's
own throttling code 80002 joins the Graph ones."""

from sandbox.faults import FaultVocabulary
from sandbox.graph import fault_answers as graph

VOCABULARY = FaultVocabulary(
    network="instagram",
    accounts=("17841400000000001", "17841400000000002"),
    paged_path=r"/instagram/v[0-9.]+/{account}/media$",
    stream="media",
    paging="link",
    items=("data",),
    next=("paging", "next"),
    cursor_param="after",
    job_options={
        "history_days": 3,
        "media_history_days": 90,
        "page_size": 5,
        "comment_days": 3,
        "media_refresh_days": 3,
    },
    throttled=lambda now: graph.throttled((*graph.THROTTLE_CODES, 80002)),
    rate_limited=graph.rate_limited,
    expired_token=graph.expired_token(),
    invalid_cursor=graph.invalid_cursor(),
    server_errors=graph.SERVER_ERRORS,
)
