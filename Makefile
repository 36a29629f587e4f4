# The two commands of README.md, plus helpers. All work is in scripts/nanjing.
.PHONY: demo test bench-validate bench-harvest bench-letters bench-load bench-supervision bench-search bench-search-scale bench-push services stop doctor

demo:      ## install, start services, load the demo catalog, serve http://127.0.0.1:5000
	@scripts/nanjing demo

test:      ## install, start services and run the whole test suite
	@scripts/nanjing test $(PYTEST_ARGS)

bench-validate:  ## speed and peak memory of the validation gate against frictionless, and of the DataStore load
	@scripts/nanjing bench-validate $(BENCH_ARGS)

bench-harvest:  ## harvest 10,000 exchange-database rows end to end, then an unchanged re-run (own databases)
	@scripts/nanjing bench-harvest $(BENCH_ARGS)

bench-push:  ## from publication to webhook delivery over 1,000 harvested records (p50/p95), and the change feed's records/s (own databases)
	@scripts/nanjing bench-push $(BENCH_ARGS)

services:  ## start PostgreSQL, Redis, Solr and the local mailbox and prepare the databases
	@scripts/nanjing services

stop:      ## stop every service the scripts started
	@scripts/nanjing stop

doctor:    ## check each service and explain what is wrong
	@scripts/nanjing doctor

bench-letters:  ## time to render each request letter to PDF and DOCX (mean/max of 50)
	@scripts/nanjing bench-letters $(BENCH_ARGS)

bench-load:  ## 1, 20 and 50 concurrent clients on the served demo portal (60 s each), against ckan run
	@scripts/nanjing bench-load $(BENCH_ARGS)

bench-search:  ## catalog search relevance over the demo catalog (recall@10, MRR, irrelevant hits), against CKAN's stock schema (own database and Solr core)
	@scripts/nanjing bench-search $(BENCH_ARGS)

bench-search-scale:  ## package_search at 100,000 datasets with 1 and 20 clients, beside the same search sent to Solr (own database and Solr core)
	@scripts/nanjing bench-search-scale $(BENCH_ARGS)

bench-supervision:  ## supervision figures and the dashboard with 10,000 catalog entries and 5,000 requests (own database)
	@scripts/nanjing bench-supervision $(BENCH_ARGS)
