-- Village service points (村级便民服务点, issue #16): departments of level
-- 'village' (use level 6), sited at their township's division code (the
-- division tables stop at townships). Each store widens the level check
-- its own way (022_villages.*.sql). Imports find a department without a
-- published credit code by its name: an index for that lookup.
CREATE INDEX departments_name ON departments (name);
