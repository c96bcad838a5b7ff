-- Conformed comments of every enabled network, one row per comment. Commenters appear only as
-- the keyed pseudonym commenter_key, computed in staging (no platform user id gets this far).
with

comments as (
    {{ union_enabled_networks('comments') }}
)

select * from comments
where comment_id is not null
