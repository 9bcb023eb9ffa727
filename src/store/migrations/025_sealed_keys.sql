-- Private signing keys sealed with the operator's master key (issue #17;
-- base/seal.h: SM4-CTR and HMAC-SM3 over the key id and the ciphertext):
-- departments' certificate keys and the platform's audit checkpoint key,
-- so that every node of a province signs with the same key and none of
-- them can be read from the database alone. Used when serve runs with
-- --master-key; without one, keys are files of the data folder.
CREATE TABLE sealed_keys (
	key_id TEXT PRIMARY KEY,
	sealed TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
