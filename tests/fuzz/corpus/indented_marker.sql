-- migrate:up
CREATE TABLE users (x);
  -- migrate:down
DROP TABLE users;
