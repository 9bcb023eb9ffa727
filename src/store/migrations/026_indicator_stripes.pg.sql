ALTER TABLE indicator_days DROP CONSTRAINT indicator_days_pkey;
ALTER TABLE indicator_days ADD PRIMARY KEY (day, region, department_id, stripe);
ALTER TABLE indicator_due DROP CONSTRAINT indicator_due_pkey;
ALTER TABLE indicator_due ADD PRIMARY KEY (region, due, department_id, stripe);
