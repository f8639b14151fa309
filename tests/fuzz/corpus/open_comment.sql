-- migrate:up
CREATE TABLE a (x);
/* unterminated comment
