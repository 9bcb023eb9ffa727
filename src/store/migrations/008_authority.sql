-- Who may do what, as data (issue #10):
-- * departments.sector: the kind of body a department is (market
--   regulation, civil affairs, public security, ...; 'centre' for a
--   government service centre that hosts the general window). Existing
--   departments get the sector their name says; the others stay '' and
--   can issue nothing until an administrator says what they are.
-- * cert_types.issuing_bodies / issuer_sectors: the bodies a certificate
--   type names as issuing it (as published) and the sectors that binds
--   (comma-separated): a department issues only the types of its sector.
-- * cases.window_department_id: the service centre whose window opened a
--   case (NULL for online cases); its window clerks handle it.
ALTER TABLE departments ADD COLUMN sector TEXT NOT NULL DEFAULT '';
UPDATE departments SET sector = 'centre' WHERE name LIKE '%政务服务中心%';
UPDATE departments SET sector = 'market' WHERE name LIKE '%市场监督管理%';
UPDATE departments SET sector = 'civil' WHERE name LIKE '%民政%';
UPDATE departments SET sector = 'police' WHERE name LIKE '%公安%';
UPDATE departments SET sector = 'health' WHERE name LIKE '%卫生健康%';
UPDATE departments SET sector = 'hrss' WHERE name LIKE '%人力资源和社会保障%';
UPDATE departments SET sector = 'land' WHERE name LIKE '%自然资源%';

ALTER TABLE cert_types ADD COLUMN issuing_bodies TEXT NOT NULL DEFAULT '';
ALTER TABLE cert_types ADD COLUMN issuer_sectors TEXT NOT NULL DEFAULT '';
UPDATE cert_types SET issuer_sectors = 'market' WHERE name IN ('营业执照', '食品经营许可证');
UPDATE cert_types SET issuer_sectors = 'civil' WHERE name IN ('结婚证', '离婚证');
UPDATE cert_types SET issuer_sectors = 'health' WHERE name = '出生医学证明';
UPDATE cert_types SET issuer_sectors = 'police'
	WHERE name IN ('居民户口簿', '居民身份证', '机动车驾驶证', '居住证');
UPDATE cert_types SET issuer_sectors = 'land' WHERE name = '不动产权证书';
UPDATE cert_types SET issuer_sectors = 'hrss' WHERE name = '社会保障卡';

ALTER TABLE cases ADD COLUMN window_department_id BIGINT REFERENCES departments (id);
UPDATE cases SET window_department_id = (SELECT MIN(g.department_id) FROM role_grants g
	WHERE g.account_id = cases.created_by AND g.role = 'window_clerk')
	WHERE channel = 'window';
