-- Certificates across platforms (issue 18): the public keys the
-- departments of peer platforms sign certificates with, brought by a sync
-- over the peer link (certkeys.request), so that a certificate issued
-- there verifies here. A key's id is the hash of its public half: the
-- same id is the same key, kept for the peer that first brought it.
CREATE TABLE peer_cert_keys (
	key_id TEXT PRIMARY KEY,
	peer_id BIGINT NOT NULL REFERENCES peers (id),
	department_code TEXT NOT NULL,
	department_name TEXT NOT NULL,
	public_pem TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	retired_at BIGINT,
	synced_at BIGINT NOT NULL
);
CREATE INDEX peer_cert_keys_peer ON peer_cert_keys (peer_id);
