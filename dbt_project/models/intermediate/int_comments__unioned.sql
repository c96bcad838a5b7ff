-- Conformed comments of every enabled network, one row per comment. Holds the platform user id
-- (commenter_id) for int_comments__classified to pseudonymise; nothing downstream reads it.
with

comments as (
    {{ union_enabled_networks('comments') }}
)

select * from comments
where comment_id is not null
