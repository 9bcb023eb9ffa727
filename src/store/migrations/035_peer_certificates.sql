-- Certificates across platforms (issue 18): a certificate issued at a peer
-- platform that its holder brought here, verified (signature with the
-- peer's key, the peer's register asked), so that it is reused as a
-- material like one issued here. record: its canonical signed record;
-- document: the file as given. A peer's revocation is seen when the
-- certificate is verified again (the workbench does, by identifier).
CREATE TABLE peer_certificates (
	identifier TEXT PRIMARY KEY,
	peer_id BIGINT NOT NULL REFERENCES peers (id),
	holder_code TEXT NOT NULL,
	type_name TEXT NOT NULL,
	valid_from TEXT NOT NULL,
	valid_to TEXT,
	record TEXT NOT NULL,
	document TEXT NOT NULL,
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	added_at BIGINT NOT NULL,
	checked_at BIGINT NOT NULL
);
CREATE INDEX peer_certificates_holder ON peer_certificates (holder_code, type_name);
