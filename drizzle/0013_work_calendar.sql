CREATE TABLE `calendar_years` (
	`year` integer PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`holidays` text NOT NULL,
	`workdays` text NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` text NOT NULL
);
