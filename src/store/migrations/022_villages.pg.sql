ALTER TABLE departments DROP CONSTRAINT departments_level_check;
ALTER TABLE departments ADD CONSTRAINT departments_level_check
	CHECK (level IN ('province', 'city', 'county', 'township', 'village'));
