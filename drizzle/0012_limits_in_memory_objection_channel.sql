DROP TABLE `login_failures`;--> statement-breakpoint
ALTER TABLE `objections` ADD `channel` text DEFAULT 'public' NOT NULL;