-- A department's register of the certificates it issued, newest first
-- (GET /api/v1/certificates?department=).
CREATE INDEX certificates_department ON certificates (department_id, id);
