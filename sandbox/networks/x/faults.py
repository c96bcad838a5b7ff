"""X's fault vocabulary (see :class:`sandbox.faults.FaultVocabulary`): the user timeline is the
paged endpoint (``meta.next_token`` sent back as ``pagination_token``). A 429 names its reset
in ``x-rate-limit-reset`` (epoch seconds on the sandbox clock)."""

from datetime import datetime

from sandbox.faults import Answer, FaultVocabulary
from sandbox.networks.x.problems import CONTENT_TYPE, invalid_request, too_many_requests


def _rate_limited(now: datetime) -> Answer:
    fault = too_many_requests(900, int(now.timestamp()) + 2)
    return Answer(fault["status"], fault["body"], fault["headers"], wait_seconds=2.0)


def _problem(status: int, title: str) -> Answer:
    body = {"title": title, "detail": title, "type": "about:blank", "status": status}
    return Answer(status, body, {"content-type": CONTENT_TYPE})


_BAD_TOKEN = invalid_request(
    "The `pagination_token` query parameter value [7140dibdnow9c7btw4] is not a valid token "
    "for this request",
    {"pagination_token": ["7140dibdnow9c7btw4"]},
)

VOCABULARY = FaultVocabulary(
    network="x",
    accounts=("1500000000000000001", "1500000000000000002"),
    paged_path=r"/x/2/users/{account}/tweets$",
    stream="posts",
    paging="token",
    items=("data",),
    next=("meta", "next_token"),
    count=("meta", "result_count"),
    cursor_param="pagination_token",
    job_options={"history_days": 150, "page_size": 5, "reply_days": 3, "post_refresh_days": 3},
    throttled=lambda now: (_rate_limited(now),),
    rate_limited=_rate_limited,
    expired_token=_problem(401, "Unauthorized"),
    invalid_cursor=Answer(_BAD_TOKEN.status, _BAD_TOKEN.payload, {"content-type": CONTENT_TYPE}),
    server_errors=(
        _problem(503, "Service Unavailable"),
        _problem(502, "Bad Gateway"),
        _problem(500, "Internal Server Error"),
    ),
)
