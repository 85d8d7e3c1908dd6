"""Reports that cross domains: revenue, patients, the schedule's use, treatments and stock,
staff pay."""
