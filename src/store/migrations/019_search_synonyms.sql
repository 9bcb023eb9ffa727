-- The words people type and what the catalog calls them (issue #16): a
-- search for word also finds each of expansions (a JSON array of
-- strings). Seeded from data/catalog/synonyms.tsv when empty; kept by
-- catalog managers (PUT/DELETE /api/v1/catalog/synonyms/{word}).
CREATE TABLE search_synonyms (
	word TEXT PRIMARY KEY,
	expansions TEXT NOT NULL,
	updated_by BIGINT,
	updated_at BIGINT NOT NULL
);
