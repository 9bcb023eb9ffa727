-- The most used services (GET /api/v1/popular-items, issue #13): the
-- cases submitted within a recent window, counted per item by a GROUP BY
-- that reads this index alone. Submission time leads, so that the window
-- bounds the scan whatever the region; the region and the item are read
-- from the index, never from the rows. No counters to keep current.
CREATE INDEX cases_popular ON cases (submitted_at, region, item_code);
