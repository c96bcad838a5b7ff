-- One row per comment of every network with its classification, the commenter's keyed
-- pseudonym and whether and how fast the account itself answered. An owner reply is a reply
-- by the account (is_from_owner) in the comment's thread; on a network without threads (no
-- comment there has a parent) it is the account's next comment on the same post.
with

comments as (
    select
        *,
        coalesce(parent_comment_id, comment_id) as thread_id,
        bool_or(parent_comment_id is not null) over (partition by platform) as platform_has_threads
    from {{ ref('int_comments__classified') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

owner_comments as (
    select
        platform,
        post_id,
        parent_comment_id,
        commented_at
    from comments
    where is_from_owner
),

first_owner_replies as (
    select
        comments.platform,
        comments.comment_id,
        min(owner_comments.commented_at) as first_owner_reply_at
    from comments
    inner join owner_comments
        on
            comments.platform = owner_comments.platform
            and comments.post_id = owner_comments.post_id
            and comments.commented_at <= owner_comments.commented_at
            and (
                owner_comments.parent_comment_id in (comments.comment_id, comments.thread_id)
                or (
                    not comments.platform_has_threads
                    and owner_comments.parent_comment_id is null
                )
            )
    where not comments.is_from_owner
    group by comments.platform, comments.comment_id
)

select
    {{ surrogate_key(['comments.platform', 'comments.comment_id']) }} as comment_key,
    {{ surrogate_key(['comments.platform', 'comments.post_id']) }} as post_key,
    accounts.account_key,
    accounts.business,
    comments.platform,
    comments.commented_at,
    {{ local_date('comments.commented_at', 'accounts.timezone') }} as commented_date,
    cast(comments.commenter_key as varchar) as commenter_key,
    comments.is_from_owner,
    comments.parent_comment_id is not null as is_reply,
    cast(comments.language as varchar) as language,  -- noqa: RF04
    cast(comments.sentiment_score as double) as sentiment_score,
    cast(comments.sentiment_label as varchar) as sentiment_label,
    cast(comments.intent as varchar) as intent,
    comments.is_question,
    case
        when not comments.is_from_owner then first_owner_replies.first_owner_reply_at is not null
    end as owner_replied,
    first_owner_replies.first_owner_reply_at,
    cast(
        date_diff(
            'second', comments.commented_at, first_owner_replies.first_owner_reply_at
        ) / 60.0 as double
    ) as minutes_to_owner_reply,
    coalesce(
        comments.is_question
        and not comments.is_from_owner
        and first_owner_replies.first_owner_reply_at is null,
        false
    ) as is_unanswered_question,
    comments.message,
    cast(comments.classifier_version as varchar) as classifier_version
from comments
inner join accounts
    on
        comments.platform = accounts.platform
        and comments.account_id = accounts.account_id
left join first_owner_replies
    on
        comments.platform = first_owner_replies.platform
        and comments.comment_id = first_owner_replies.comment_id
