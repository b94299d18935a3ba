ALTER TABLE `offers` ADD `expires_at` integer;--> statement-breakpoint
CREATE INDEX `offers_open` ON `offers` (`expires_at`) WHERE "offers"."expires_at" is not null and "offers"."expired_at" is null and "offers"."dismissed_at" is null and "offers"."accepted_at" is null;--> statement-breakpoint
-- an offer's expiry was a row in deadlines until now: it moves onto the offer itself
UPDATE offers SET expires_at = (SELECT d.due_at FROM deadlines d WHERE d.kind = 'offer_expiry' AND d.key = offers.id) WHERE expired_at IS NULL AND id IN (SELECT key FROM deadlines WHERE kind = 'offer_expiry');--> statement-breakpoint
DELETE FROM deadlines WHERE kind = 'offer_expiry';
