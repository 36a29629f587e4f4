from setuptools import find_namespace_packages, setup

# The `ckanext.nanjing` package lives in ckanext-nanjing/; the top level of the
# repository also holds harvesters, the demo catalog, config and tests.
setup(
    name="ckanext-nanjing",
    version="0.1.0",
    description="南京市基层政务公开标准化规范化试点：政务公开与数据开放平台 (CKAN 2.12 extension)",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    package_dir={"": "ckanext-nanjing",
                 "ckanext.nanjing_harvest": "harvesters/ckanext/nanjing_harvest"},
    packages=find_namespace_packages(where="ckanext-nanjing", include=["ckanext.*"])
    + find_namespace_packages(where="harvesters", include=["ckanext.*"]),
    include_package_data=True,
    package_data={
        "ckanext.nanjing": [
            "config_declaration.yaml",
            "codelists/*.yaml",
            "schemas/*.yaml",
            "templates/**/*",
            "public/**/*",
            "i18n/**/*",
            "migration/**/*",
            "requests/letters/*.html",
            "requests/templates/**/*",
            "supervision/templates/**/*",
            "supervision/assets/**/*",
            "supervision/weights.yaml",
            "*/openapi.yaml",
            "feeds/templates/**/*",
            "feeds/assets/**/*",
            "interaction/templates/**/*",
        ]
    },
    entry_points={
        "ckan.plugins": [
            "nanjing = ckanext.nanjing.plugin:NanjingPlugin",
            "nanjing_requests = ckanext.nanjing.requests.plugin:RequestsPlugin",
            "nanjing_supervision = ckanext.nanjing.supervision.plugin:SupervisionPlugin",
            "nanjing_datastore = ckanext.nanjing.publishing.plugin:DatastorePlugin",
            "nanjing_access = ckanext.nanjing.access.plugin:AccessPlugin",
            "nanjing_feeds = ckanext.nanjing.feeds.plugin:FeedsPlugin",
            "nanjing_interaction = ckanext.nanjing.interaction.plugin:InteractionPlugin",
            "nanjing_harvest = ckanext.nanjing_harvest.plugin:NanjingHarvestPlugin",
            "nanjing_exchange_db = ckanext.nanjing_harvest.exchange_db:ExchangeDbHarvester",
            "nanjing_document_api = ckanext.nanjing_harvest.document_api:DocumentApiHarvester",
            "nanjing_file_drop = ckanext.nanjing_harvest.file_drop:FileDropHarvester",
            "nanjing_ckan_harvester = ckanext.nanjing_harvest.reused:CkanHarvester",
            "nanjing_dcat_rdf_harvester = ckanext.nanjing_harvest.reused:DcatRdfHarvester",
        ],
        "ckan.rdf.profiles": [
            "nanjing = ckanext.nanjing.dcat_profile:NanjingDCATProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
    message_extractors={
        "ckanext-nanjing/ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
