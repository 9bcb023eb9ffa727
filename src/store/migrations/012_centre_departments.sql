-- The general window (一窗受理): which departments' items a government
-- service centre receives (its 进驻部门), as data an administrator keeps.
-- A window clerk opens cases only for items of these departments; the
-- cases then carry window_department_id (migration 008) and are handled at
-- the front desk by that centre's clerks, decided by the department.
CREATE TABLE centre_departments (
	centre_id BIGINT NOT NULL REFERENCES departments (id),
	department_id BIGINT NOT NULL REFERENCES departments (id),
	created_at BIGINT NOT NULL,
	PRIMARY KEY (centre_id, department_id)
);
CREATE INDEX centre_departments_department ON centre_departments (department_id);
-- The cases opened at a centre's window, newest first (GET /api/v1/cases?view=window).
CREATE INDEX cases_window ON cases (window_department_id, id);
-- Existing windows received every department's items: keep that for the
-- departments of each centre's region and above, so nothing stops working.
INSERT INTO centre_departments (centre_id, department_id, created_at)
	SELECT c.id, d.id, 0 FROM departments c JOIN departments d
	ON c.sector = 'centre' AND d.id <> c.id
	AND (d.region = c.region OR c.region LIKE (RTRIM(d.region, '0') || '%'));
