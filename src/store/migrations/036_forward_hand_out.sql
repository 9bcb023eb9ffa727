-- 异地代收代办 (issue 18): the result of a forwarded application is handed
-- out at the window that received it, or posted from there (统一窗口出件):
-- recorded on the forward, and at the handling platform beside the
-- application it took (told by a case.handed_out message).
ALTER TABLE forwards ADD COLUMN handed_out_at BIGINT;
ALTER TABLE forwards ADD COLUMN delivery TEXT;
ALTER TABLE forwards ADD COLUMN delivery_note TEXT;
ALTER TABLE forwarded_in ADD COLUMN handed_out_at BIGINT;
ALTER TABLE forwarded_in ADD COLUMN delivery TEXT;
