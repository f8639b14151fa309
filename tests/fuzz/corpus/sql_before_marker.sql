-- header

CREATE TABLE t (x);
-- migrate:up
CREATE TABLE u (x);
