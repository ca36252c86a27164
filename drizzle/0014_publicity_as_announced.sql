ALTER TABLE `polls` ADD `publicity_first_day` text;--> statement-breakpoint
ALTER TABLE `polls` ADD `publicity_last_day` text;