-- Catalog format 2 (issue #16): an item whose guide names no basic item
-- of the national catalog (basic_code null in its document) is stored with
-- basic_code '' and, without a stated type, item_type ''. This row is what
-- '' refers to; no list or export shows it.
INSERT INTO basic_items (code, name, item_type, parent_code, legal_basis, created_at)
VALUES ('', '未公布', '', NULL, '', 0);
