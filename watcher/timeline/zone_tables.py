"""Tables behind `zones`: a zone per country, per region of multi-zone countries, country names.

Data only. Keys of `REGION_ZONES` and `COUNTRY_NAMES` are normalized (`normalize_text`).
"""

from __future__ import annotations

# Tables: several entries a line keep them short and easy to scan.
# fmt: off
#: One representative zone per country (the most populous zone where a country has several:
#: used only when neither an offset nor a region is known, and then recorded as an assumption).
COUNTRY_ZONES: dict[str, str] = {
    "CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong", "TW": "Asia/Taipei", "SG": "Asia/Singapore",
    "MY": "Asia/Kuala_Lumpur", "TH": "Asia/Bangkok", "VN": "Asia/Ho_Chi_Minh",
    "KR": "Asia/Seoul", "JP": "Asia/Tokyo", "IN": "Asia/Kolkata", "ID": "Asia/Jakarta",
    "PH": "Asia/Manila", "PK": "Asia/Karachi", "AE": "Asia/Dubai", "SA": "Asia/Riyadh",
    "IL": "Asia/Jerusalem", "KZ": "Asia/Almaty", "TR": "Europe/Istanbul",
    "RU": "Europe/Moscow", "UA": "Europe/Kyiv", "BY": "Europe/Minsk", "MD": "Europe/Chisinau",
    "PL": "Europe/Warsaw", "CZ": "Europe/Prague", "SK": "Europe/Bratislava",
    "HU": "Europe/Budapest", "RO": "Europe/Bucharest", "BG": "Europe/Sofia",
    "GR": "Europe/Athens", "CY": "Asia/Nicosia", "MT": "Europe/Malta",
    "DE": "Europe/Berlin", "AT": "Europe/Vienna", "CH": "Europe/Zurich",
    "FR": "Europe/Paris", "BE": "Europe/Brussels", "NL": "Europe/Amsterdam",
    "LU": "Europe/Luxembourg", "GB": "Europe/London", "IE": "Europe/Dublin",
    "ES": "Europe/Madrid", "PT": "Europe/Lisbon", "IT": "Europe/Rome",
    "DK": "Europe/Copenhagen", "SE": "Europe/Stockholm", "NO": "Europe/Oslo",
    "FI": "Europe/Helsinki", "IS": "Atlantic/Reykjavik", "EE": "Europe/Tallinn",
    "LV": "Europe/Riga", "LT": "Europe/Vilnius", "HR": "Europe/Zagreb", "SI": "Europe/Ljubljana",
    "RS": "Europe/Belgrade", "BA": "Europe/Sarajevo", "ME": "Europe/Podgorica",
    "MK": "Europe/Skopje", "AL": "Europe/Tirane", "GE": "Asia/Tbilisi", "AM": "Asia/Yerevan",
    "AZ": "Asia/Baku", "UZ": "Asia/Tashkent", "US": "America/New_York", "CA": "America/Toronto",
    "MX": "America/Mexico_City", "BR": "America/Sao_Paulo",
    "AR": "America/Argentina/Buenos_Aires", "CL": "America/Santiago", "CO": "America/Bogota",
    "PE": "America/Lima", "EC": "America/Guayaquil", "UY": "America/Montevideo",
    "AU": "Australia/Sydney", "NZ": "Pacific/Auckland",
    "ZA": "Africa/Johannesburg", "EG": "Africa/Cairo", "NG": "Africa/Lagos",
    "MA": "Africa/Casablanca", "KE": "Africa/Nairobi", "QA": "Asia/Qatar", "KW": "Asia/Kuwait",
    "BD": "Asia/Dhaka", "LK": "Asia/Colombo", "MO": "Asia/Macau",
}

#: Countries spanning several zones: {country: {normalized region (code or name): zone}}.
REGION_ZONES: dict[str, dict[str, str]] = {
    "US": {
        **dict.fromkeys(
            ("ct", "de", "dc", "fl", "ga", "ky", "me", "md", "ma", "mi", "nh", "nj", "ny", "nc",
             "oh", "pa", "ri", "sc", "vt", "va", "wv", "connecticut", "delaware",
             "district of columbia", "florida", "georgia", "kentucky", "maine", "maryland",
             "massachusetts", "michigan", "new hampshire", "new jersey", "new york",
             "north carolina", "ohio", "pennsylvania", "rhode island", "south carolina",
             "vermont", "virginia", "west virginia"), "America/New_York"),
        "in": "America/Indiana/Indianapolis", "indiana": "America/Indiana/Indianapolis",
        **dict.fromkeys(
            ("al", "ar", "il", "ia", "ks", "la", "mn", "ms", "mo", "ne", "nd", "ok", "sd", "tn",
             "tx", "wi", "alabama", "arkansas", "illinois", "iowa", "kansas", "louisiana",
             "minnesota", "mississippi", "missouri", "nebraska", "north dakota", "oklahoma",
             "south dakota", "tennessee", "texas", "wisconsin"), "America/Chicago"),
        **dict.fromkeys(
            ("co", "id", "mt", "nm", "ut", "wy", "colorado", "idaho", "montana", "new mexico",
             "utah", "wyoming"), "America/Denver"),
        "az": "America/Phoenix", "arizona": "America/Phoenix",
        **dict.fromkeys(
            ("ca", "nv", "or", "wa", "california", "nevada", "oregon", "washington"),
            "America/Los_Angeles"),
        "ak": "America/Anchorage", "alaska": "America/Anchorage",
        "hi": "Pacific/Honolulu", "hawaii": "Pacific/Honolulu",
        "pr": "America/Puerto_Rico", "puerto rico": "America/Puerto_Rico",
    },
    "CA": {
        "bc": "America/Vancouver", "british columbia": "America/Vancouver",
        "ab": "America/Edmonton", "alberta": "America/Edmonton",
        "sk": "America/Regina", "saskatchewan": "America/Regina",
        "mb": "America/Winnipeg", "manitoba": "America/Winnipeg",
        "on": "America/Toronto", "ontario": "America/Toronto",
        "qc": "America/Toronto", "quebec": "America/Toronto",
        **dict.fromkeys(("nb", "ns", "pe", "new brunswick", "nova scotia",
                         "prince edward island"), "America/Halifax"),
        "nl": "America/St_Johns", "newfoundland and labrador": "America/St_Johns",
        "newfoundland": "America/St_Johns",
        "yt": "America/Whitehorse", "yukon": "America/Whitehorse",
        "nt": "America/Yellowknife", "northwest territories": "America/Yellowknife",
        "nu": "America/Iqaluit", "nunavut": "America/Iqaluit",
    },
    "AU": {
        **dict.fromkeys(("nsw", "act", "new south wales", "australian capital territory"),
                        "Australia/Sydney"),
        "vic": "Australia/Melbourne", "victoria": "Australia/Melbourne",
        "qld": "Australia/Brisbane", "queensland": "Australia/Brisbane",
        "sa": "Australia/Adelaide", "south australia": "Australia/Adelaide",
        "wa": "Australia/Perth", "western australia": "Australia/Perth",
        "tas": "Australia/Hobart", "tasmania": "Australia/Hobart",
        "nt": "Australia/Darwin", "northern territory": "Australia/Darwin",
    },
    "BR": {
        **dict.fromkeys(
            ("sp", "rj", "mg", "es", "pr", "sc", "rs", "go", "df", "sao paulo", "rio de janeiro",
             "minas gerais", "espirito santo", "parana", "santa catarina", "rio grande do sul",
             "goias", "distrito federal"), "America/Sao_Paulo"),
        "ba": "America/Bahia", "bahia": "America/Bahia",
        **dict.fromkeys(("pe", "pb", "rn", "pernambuco", "paraiba", "rio grande do norte"),
                        "America/Recife"),
        **dict.fromkeys(("al", "se", "alagoas", "sergipe"), "America/Maceio"),
        **dict.fromkeys(("ce", "pi", "ma", "ceara", "piaui", "maranhao"), "America/Fortaleza"),
        **dict.fromkeys(("pa", "ap", "para", "amapa"), "America/Belem"),
        "to": "America/Araguaina", "tocantins": "America/Araguaina",
        "ms": "America/Campo_Grande", "mato grosso do sul": "America/Campo_Grande",
        "mt": "America/Cuiaba", "mato grosso": "America/Cuiaba",
        "ro": "America/Porto_Velho", "rondonia": "America/Porto_Velho",
        "rr": "America/Boa_Vista", "roraima": "America/Boa_Vista",
        "am": "America/Manaus", "amazonas": "America/Manaus",
        "ac": "America/Rio_Branco", "acre": "America/Rio_Branco",
    },
    "MX": {
        **dict.fromkeys(("bc", "bcn", "baja california", "tijuana", "mexicali"),
                        "America/Tijuana"),
        **dict.fromkeys(("bcs", "baja california sur", "sin", "sinaloa", "nay", "nayarit"),
                        "America/Mazatlan"),
        **dict.fromkeys(("son", "sonora", "hermosillo"), "America/Hermosillo"),
        **dict.fromkeys(("chih", "chihuahua"), "America/Chihuahua"),
        **dict.fromkeys(("roo", "q roo", "quintana roo", "cancun"), "America/Cancun"),
        **dict.fromkeys(("cdmx", "ciudad de mexico", "mexico city", "jalisco", "guadalajara",
                         "nuevo leon", "monterrey", "puebla"), "America/Mexico_City"),
    },
    "RU": {
        **dict.fromkeys(("moscow", "moskva", "москва", "saint petersburg", "st petersburg",
                         "sankt peterburg", "санкт петербург", "kazan", "nizhny novgorod"),
                        "Europe/Moscow"),
        **dict.fromkeys(("kaliningrad", "калининград"), "Europe/Kaliningrad"),
        **dict.fromkeys(("samara", "самара"), "Europe/Samara"),
        **dict.fromkeys(("yekaterinburg", "ekaterinburg", "екатеринбург", "chelyabinsk",
                         "perm", "ufa", "tyumen"), "Asia/Yekaterinburg"),
        **dict.fromkeys(("omsk", "омск"), "Asia/Omsk"),
        **dict.fromkeys(("novosibirsk", "новосибирск"), "Asia/Novosibirsk"),
        **dict.fromkeys(("krasnoyarsk", "красноярск"), "Asia/Krasnoyarsk"),
        **dict.fromkeys(("irkutsk", "иркутск"), "Asia/Irkutsk"),
        **dict.fromkeys(("yakutsk", "якутск"), "Asia/Yakutsk"),
        **dict.fromkeys(("vladivostok", "владивосток", "khabarovsk", "хабаровск"),
                        "Asia/Vladivostok"),
        **dict.fromkeys(("magadan", "магадан"), "Asia/Magadan"),
        **dict.fromkeys(("petropavlovsk kamchatsky", "kamchatka"), "Asia/Kamchatka"),
    },
}

#: ISO 3166 alpha-3 → alpha-2 (AfterShip sends alpha-3).
ALPHA3: dict[str, str] = {
    "CHN": "CN", "HKG": "HK", "TWN": "TW", "SGP": "SG", "MYS": "MY", "THA": "TH", "VNM": "VN",
    "KOR": "KR", "JPN": "JP", "IND": "IN", "IDN": "ID", "PHL": "PH", "PAK": "PK", "ARE": "AE",
    "SAU": "SA", "ISR": "IL", "KAZ": "KZ", "TUR": "TR", "RUS": "RU", "UKR": "UA", "BLR": "BY",
    "MDA": "MD", "POL": "PL", "CZE": "CZ", "SVK": "SK", "HUN": "HU", "ROU": "RO", "BGR": "BG",
    "GRC": "GR", "CYP": "CY", "MLT": "MT", "DEU": "DE", "AUT": "AT", "CHE": "CH", "FRA": "FR",
    "BEL": "BE", "NLD": "NL", "LUX": "LU", "GBR": "GB", "IRL": "IE", "ESP": "ES", "PRT": "PT",
    "ITA": "IT", "DNK": "DK", "SWE": "SE", "NOR": "NO", "FIN": "FI", "ISL": "IS", "EST": "EE",
    "LVA": "LV", "LTU": "LT", "HRV": "HR", "SVN": "SI", "SRB": "RS", "BIH": "BA", "MNE": "ME",
    "MKD": "MK", "ALB": "AL", "GEO": "GE", "ARM": "AM", "AZE": "AZ", "UZB": "UZ", "USA": "US",
    "CAN": "CA", "MEX": "MX", "BRA": "BR", "ARG": "AR", "CHL": "CL", "COL": "CO", "PER": "PE",
    "ECU": "EC", "URY": "UY", "AUS": "AU", "NZL": "NZ", "ZAF": "ZA", "EGY": "EG", "NGA": "NG",
    "MAR": "MA", "KEN": "KE", "QAT": "QA", "KWT": "KW", "BGD": "BD", "LKA": "LK", "MAC": "MO",
}

#: Country names (English and local, normalized) that appear in location strings.
COUNTRY_NAMES: dict[str, str] = {
    "china": "CN", "中国": "CN", "mainland china": "CN", "hong kong": "HK", "taiwan": "TW",
    "singapore": "SG", "malaysia": "MY", "thailand": "TH", "vietnam": "VN", "viet nam": "VN",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR", "japan": "JP", "日本": "JP",
    "india": "IN", "indonesia": "ID", "philippines": "PH", "pakistan": "PK",
    "united arab emirates": "AE", "uae": "AE", "saudi arabia": "SA", "israel": "IL",
    "kazakhstan": "KZ", "turkey": "TR", "turkiye": "TR", "russia": "RU",
    "russian federation": "RU", "россия": "RU", "ukraine": "UA", "украина": "UA",
    "україна": "UA", "belarus": "BY", "moldova": "MD", "poland": "PL", "polska": "PL",
    "czech republic": "CZ", "czechia": "CZ", "cesko": "CZ", "slovakia": "SK",
    "slovensko": "SK", "hungary": "HU", "magyarorszag": "HU", "romania": "RO",
    "bulgaria": "BG", "greece": "GR", "cyprus": "CY", "malta": "MT", "germany": "DE",
    "deutschland": "DE", "allemagne": "DE", "alemania": "DE", "austria": "AT",
    "osterreich": "AT", "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "svizzera": "CH",
    "france": "FR", "frankreich": "FR", "belgium": "BE", "belgique": "BE", "belgie": "BE",
    "belgien": "BE", "netherlands": "NL", "nederland": "NL", "the netherlands": "NL",
    "holland": "NL", "luxembourg": "LU", "united kingdom": "GB", "great britain": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "ireland": "IE", "spain": "ES",
    "espana": "ES", "portugal": "PT", "italy": "IT", "italia": "IT", "denmark": "DK",
    "danmark": "DK", "sweden": "SE", "sverige": "SE", "norway": "NO", "norge": "NO",
    "finland": "FI", "suomi": "FI", "iceland": "IS", "estonia": "EE", "eesti": "EE",
    "latvia": "LV", "latvija": "LV", "lithuania": "LT", "lietuva": "LT", "croatia": "HR",
    "hrvatska": "HR", "slovenia": "SI", "slovenija": "SI", "serbia": "RS", "srbija": "RS",
    "bosnia and herzegovina": "BA", "montenegro": "ME", "north macedonia": "MK",
    "albania": "AL", "armenia": "AM", "azerbaijan": "AZ", "uzbekistan": "UZ",
    "united states": "US", "united states of america": "US", "usa": "US", "canada": "CA",
    "mexico": "MX", "brazil": "BR", "brasil": "BR", "argentina": "AR", "chile": "CL",
    "colombia": "CO", "peru": "PE", "ecuador": "EC", "uruguay": "UY", "australia": "AU",
    "new zealand": "NZ", "south africa": "ZA", "egypt": "EG", "nigeria": "NG",
    "morocco": "MA", "kenya": "KE", "qatar": "QA", "kuwait": "KW", "bangladesh": "BD",
    "sri lanka": "LK", "macau": "MO", "macao": "MO",
}
# fmt: on

#: Non-ISO codes carriers use for a country.
COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}
