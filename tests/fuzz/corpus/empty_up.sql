-- header
-- migrate:up


-- migrate:down
SELECT 1;
