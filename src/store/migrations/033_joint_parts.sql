-- 多地联办 (issue 18): a case here whose item needs a part done at a peer
-- platform (joint_part in the item's document) sends that part as a
-- forward tied to the case; the peer's steps come back as a forward's do,
-- and the case may be approved here only once the part is approved and
-- completed there.
ALTER TABLE forwards ADD COLUMN case_id BIGINT REFERENCES cases (id);
CREATE INDEX forwards_case ON forwards (case_id);
