-- 全程网办 across provinces (issue 18): a person of a peer platform signs
-- in here with a short-lived identity assertion signed by their home
-- platform. Each assertion is taken once (jti unique per peer): a replay
-- is refused. The account made for such a person remembers its home
-- province (NULL for the platform's own people).
CREATE TABLE federated_logins (
	id {{ID}},
	peer_id BIGINT NOT NULL REFERENCES peers (id),
	jti TEXT NOT NULL,
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	at BIGINT NOT NULL,
	UNIQUE (peer_id, jti)
);
ALTER TABLE accounts ADD COLUMN home_province TEXT;
