CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`subject` text NOT NULL,
	`details` text DEFAULT '{}' NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ballots` (
	`nonce` blob PRIMARY KEY NOT NULL,
	`poll_id` text NOT NULL,
	`token` blob NOT NULL,
	`choices` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `issuances` (
	`poll_id` text NOT NULL,
	`group` text NOT NULL,
	`voter_id` text NOT NULL,
	`blinded_message` blob NOT NULL,
	`blind_signature` blob NOT NULL,
	PRIMARY KEY(`poll_id`, `group`, `voter_id`),
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`voter_id`) REFERENCES `voters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `login_failures` (
	`username` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`window_start` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `meetings` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`owner_id` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `poll_keys` (
	`key_id` text PRIMARY KEY NOT NULL,
	`poll_id` text NOT NULL,
	`group` text NOT NULL,
	`spki` blob NOT NULL,
	`private_key` blob,
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `poll_keys_poll_group` ON `poll_keys` (`poll_id`,`group`);--> statement-breakpoint
CREATE TABLE `polls` (
	`id` text PRIMARY KEY NOT NULL,
	`meeting_id` text NOT NULL,
	`title` text NOT NULL,
	`kind` text NOT NULL,
	`phase` text NOT NULL,
	`questions` text NOT NULL,
	`rule` text NOT NULL,
	`groups` text NOT NULL,
	`closed_at` text,
	`bundle` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`csrf_token` text NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);--> statement-breakpoint
CREATE TABLE `voters` (
	`id` text PRIMARY KEY NOT NULL,
	`meeting_id` text NOT NULL,
	`name` text NOT NULL,
	`number` text NOT NULL,
	`groups` text NOT NULL,
	`code_hash` text,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `voters_code_hash_unique` ON `voters` (`code_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `voters_meeting_number` ON `voters` (`meeting_id`,`number`);