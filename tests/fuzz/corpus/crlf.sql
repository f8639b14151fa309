-- migrate:up transaction:false foreign_keys:off
VACUUM;
-- migrate:down
