"""LinkedIn's fault vocabulary (see :class:`sandbox.faults.FaultVocabulary`): the post listing
(``q=author``) is the paged endpoint, paged by ``start``/``count``. Throttling is a bare 429
without ``Retry-After``; a paging position LinkedIn refuses answers 400 "Exceeds the pagination
limit"."""

from sandbox.faults import Answer, FaultVocabulary
from sandbox.networks.linkedin.restli import error_body

_THROTTLED = Answer(
    429,
    error_body(429, "TOO_MANY_REQUESTS", "Resource level throttle APPLICATION DAY limit reached"),
)

VOCABULARY = FaultVocabulary(
    network="linkedin",
    accounts=("90000001", "90000002"),
    paged_path=r"/linkedin/rest/posts$",
    paged_query=r"author=urn%3Ali%3Aorganization%3A{account}(&|$)",
    stream="posts",
    paging="offset",
    items=("elements",),
    cursor_param="start",
    job_options={"history_days": 150, "page_size": 5, "comment_days": 3, "post_refresh_days": 3},
    throttled=lambda now: (_THROTTLED,),
    rate_limited=lambda now: _THROTTLED,
    expired_token=Answer(
        401,
        error_body(401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65602),
    ),
    invalid_cursor=Answer(
        400,
        error_body(
            400,
            "ILLEGAL_ARGUMENT",
            "Exceeds the pagination limit. Please adjust the pagination parameter.",
        ),
    ),
    server_errors=(
        Answer(503, error_body(503, "SERVICE_UNAVAILABLE", "Service Unavailable")),
        Answer(502, error_body(502, "BAD_GATEWAY", "Bad Gateway")),
        Answer(500, error_body(500, "INTERNAL_SERVER_ERROR", "Internal Server Error")),
    ),
)
