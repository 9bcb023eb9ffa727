-- The department workbench (issue #12): who in the department handles a
-- case. An official claims a case (assigns it to themselves) or assigns it
-- to a colleague holding a case role in the same department; NULL until
-- then. The queue's "mine" filter reads it by department and assignee.
ALTER TABLE cases ADD COLUMN assignee_id BIGINT REFERENCES accounts (id);
CREATE INDEX cases_assignee ON cases (department_id, assignee_id, queue_due);
