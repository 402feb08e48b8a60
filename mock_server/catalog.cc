#include "mock_server/catalog.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string_view>

namespace eiabench::mock {
namespace {

// One balancing authority: code, name, local time zone, typical hourly
// demand in MWh and its generation mix as of 2024 (EIA-930 fuel codes).
struct BaInfo {
  const char* code;
  const char* name;
  Zone zone;
  double demand_mwh;
  const char* fuels;
};

// Short names for the zones, for the table below.
constexpr Zone kEt = Zone::kEastern;
constexpr Zone kCt = Zone::kCentral;
constexpr Zone kMt = Zone::kMountain;
constexpr Zone kAz = Zone::kArizona;
constexpr Zone kPt = Zone::kPacific;

// The EIA-930 balancing authorities and the lower-48 total. Zones follow
// where each BA's control centre keeps time (MISO and US48 report in
// Eastern, the Arizona BAs keep no daylight time). Demand levels and fuel
// mixes are approximate; they only need to look plausible.
constexpr BaInfo kBas[] = {
    {"AEC", "PowerSouth Energy Cooperative", kCt, 1200, "COL,NG,OTH,WAT"},
    {"AECI", "Associated Electric Cooperative, Inc.", kCt, 2800, "COL,NG,WND"},
    {"AVA", "Avista Corporation", kPt, 1200, "NG,OTH,WAT"},
    {"AVRN", "Avangrid Renewables, LLC", kPt, 0, "SUN,WND"},
    {"AZPS", "Arizona Public Service Company", kAz, 4200, "COL,NG,NUC,SUN,WAT"},
    {"BANC", "Balancing Authority of Northern California", kPt, 1900,
     "NG,OTH,SUN,WAT"},
    {"BPAT", "Bonneville Power Administration", kPt, 6200,
     "NG,NUC,OTH,WAT,WND"},
    {"CHPD", "Public Utility District No. 1 of Chelan County", kPt, 250, "WAT"},
    {"CISO", "California Independent System Operator", kPt, 25000,
     "COL,GEO,NG,NUC,OIL,OTH,SUN,WAT,WND"},
    {"CPLE", "Duke Energy Progress East", kEt, 7000,
     "COL,NG,NUC,OIL,OTH,SUN,WAT"},
    {"CPLW", "Duke Energy Progress West", kEt, 700, "NG,OIL,SUN,WAT"},
    {"DEAA", "Arlington Valley, LLC", kAz, 0, "NG,SUN"},
    {"DOPD", "PUD No. 1 of Douglas County", kPt, 200, "WAT"},
    {"DUK", "Duke Energy Carolinas", kEt, 11000, "COL,NG,NUC,OIL,OTH,SUN,WAT"},
    {"EEI", "Electric Energy, Inc.", kCt, 0, "COL,NG"},
    {"EPE", "El Paso Electric Company", kMt, 1100, "NG,NUC,SUN"},
    {"ERCO", "Electric Reliability Council of Texas, Inc.", kCt, 45000,
     "BAT,COL,NG,NUC,OTH,SUN,WAT,WND"},
    {"FMPP", "Florida Municipal Power Pool", kEt, 2400, "NG,SUN"},
    {"FPC", "Duke Energy Florida, Inc.", kEt, 5000, "COL,NG,OIL,SUN"},
    {"FPL", "Florida Power & Light Co.", kEt, 15000, "BAT,COL,NG,NUC,OIL,SUN"},
    {"GCPD", "Public Utility District No. 2 of Grant County, Washington", kPt,
     600, "WAT"},
    {"GLHB", "GridLiance", kCt, 0, "NG"},
    {"GRID", "Gridforce Energy Management, LLC", kPt, 0, "WND"},
    {"GRIF", "Griffith Energy, LLC", kAz, 0, "NG"},
    {"GVL", "Gainesville Regional Utilities", kEt, 230, "NG,OTH"},
    {"GWA", "NaturEner Power Watch, LLC", kMt, 0, "WND"},
    {"HGMA", "New Harquahala Generating Company, LLC", kAz, 0, "NG"},
    {"HST", "City of Homestead", kEt, 60, "NG,OIL"},
    {"IID", "Imperial Irrigation District", kPt, 450, "GEO,NG,OTH,SUN,WAT"},
    {"IPCO", "Idaho Power Company", kMt, 2200, "NG,OTH,SUN,WAT,WND"},
    {"ISNE", "ISO New England", kEt, 13000,
     "BAT,COL,NG,NUC,OIL,OTH,SUN,WAT,WND"},
    {"JEA", "JEA", kEt, 1500, "COL,NG,SUN"},
    {"LDWP", "Los Angeles Department of Water and Power", kPt, 3000,
     "COL,GEO,NG,NUC,OTH,SUN,WAT,WND"},
    {"LGEE",
     "Louisville Gas and Electric Company and Kentucky Utilities Company", kEt,
     4000, "COL,NG,SUN,WAT"},
    {"MISO", "Midcontinent Independent System Operator, Inc.", kEt, 75000,
     "COL,NG,NUC,OIL,OTH,SUN,WAT,WND"},
    {"NEVP", "Nevada Power Company", kPt, 4500, "GEO,NG,SUN"},
    {"NWMT", "NorthWestern Corporation", kMt, 1300, "COL,NG,WAT,WND"},
    {"NYIS", "New York Independent System Operator", kEt, 17000,
     "NG,NUC,OIL,OTH,SUN,WAT,WND"},
    {"PACE", "PacifiCorp East", kMt, 6000, "COL,NG,OTH,SUN,WAT,WND"},
    {"PACW", "PacifiCorp West", kPt, 2600, "NG,OTH,SUN,WAT,WND"},
    {"PGE", "Portland General Electric Company", kPt, 2500,
     "NG,OTH,SUN,WAT,WND"},
    {"PJM", "PJM Interconnection, LLC", kEt, 90000,
     "COL,NG,NUC,OIL,OTH,SUN,WAT,WND"},
    {"PNM", "Public Service Company of New Mexico", kMt, 1800,
     "COL,NG,NUC,SUN,WND"},
    {"PSCO", "Public Service Company of Colorado", kMt, 5500,
     "COL,NG,OTH,SUN,WAT,WND"},
    {"PSEI", "Puget Sound Energy, Inc.", kPt, 3000, "COL,NG,WAT,WND"},
    {"SC", "South Carolina Public Service Authority", kEt, 3000,
     "COL,NG,NUC,OTH,SUN,WAT"},
    {"SCEG", "Dominion Energy South Carolina, Inc.", kEt, 2700,
     "COL,NG,NUC,SUN,WAT"},
    {"SCL", "Seattle City Light", kPt, 1100, "WAT"},
    {"SEC", "Seminole Electric Cooperative", kEt, 600, "COL,NG"},
    {"SEPA", "Southeastern Power Administration", kEt, 0, "WAT"},
    {"SOCO", "Southern Company Services, Inc. - Trans", kCt, 28000,
     "COL,NG,NUC,OIL,OTH,SUN,WAT,WND"},
    {"SPA", "Southwestern Power Administration", kCt, 60, "WAT"},
    {"SRP", "Salt River Project Agricultural Improvement and Power District",
     kAz, 4000, "COL,NG,NUC,SUN,WAT"},
    {"SWPP", "Southwest Power Pool", kCt, 30000,
     "COL,NG,NUC,OIL,OTH,SUN,WAT,WND"},
    {"TAL", "City of Tallahassee", kEt, 300, "NG,SUN"},
    {"TEC", "Tampa Electric Company", kEt, 2300, "COL,NG,SUN"},
    {"TEPC", "Tucson Electric Power", kAz, 1900, "COL,NG,SUN,WND"},
    {"TIDC", "Turlock Irrigation District", kPt, 280, "NG,SUN,WAT"},
    {"TPWR", "City of Tacoma, Department of Public Utilities, Light Division",
     kPt, 600, "WAT"},
    {"TVA", "Tennessee Valley Authority", kCt, 19000,
     "COL,NG,NUC,OIL,OTH,SUN,WAT,WND"},
    {"WACM", "Western Area Power Administration - Rocky Mountain Region", kMt,
     3000, "COL,NG,SUN,WAT,WND"},
    {"WALC", "Western Area Power Administration - Desert Southwest Region", kAz,
     1200, "NG,SUN,WAT"},
    {"WAUW", "Western Area Power Administration - Upper Great Plains West", kMt,
     100, "COL,NG,WAT"},
    {"WWA", "NaturEner Wind Watch, LLC", kMt, 0, "WND"},
    {"YAD", "Alcoa Power Generating, Inc. - Yadkin Division", kEt, 0, "WAT"},
    {"US48", "United States Lower 48", kEt, 450000,
     "BAT,COL,GEO,NG,NUC,OIL,OTH,SUN,WAT,WND"},
};

struct CodeName {
  const char* code;
  const char* name;
};

constexpr CodeName kFuelNames[] = {
    {"BAT", "Battery storage"},
    {"COL", "Coal"},
    {"GEO", "Geothermal"},
    {"NG", "Natural Gas"},
    {"NUC", "Nuclear"},
    {"OIL", "Petroleum"},
    {"OTH", "Other"},
    {"PS", "Pumped storage"},
    {"SNB", "Solar with integrated battery storage"},
    {"SUN", "Solar"},
    {"UES", "Unknown energy storage"},
    {"UNK", "Unknown"},
    {"WAT", "Hydro"},
    {"WND", "Wind"},
};

constexpr CodeName kTypeNames[] = {
    {"D", "Demand"},
    {"DF", "Day-ahead demand forecast"},
    {"NG", "Net generation"},
    {"TI", "Total interchange"},
};

constexpr CodeName kTimezones[] = {
    {"Arizona", "Arizona"},   {"Central", "Central"}, {"Eastern", "Eastern"},
    {"Mountain", "Mountain"}, {"Pacific", "Pacific"},
};

// Sub-regions: parent, sub-region code, sub-region name.
struct SubBa {
  const char* parent;
  const char* code;
  const char* name;
};

constexpr SubBa kSubBas[] = {
    {"CISO", "PGAE", "Pacific Gas and Electric"},
    {"CISO", "SCE", "Southern California Edison"},
    {"CISO", "SDGE", "San Diego Gas and Electric"},
    {"CISO", "VEA", "Valley Electric Association"},
    {"ERCO", "COAS", "Coast"},
    {"ERCO", "EAST", "East"},
    {"ERCO", "FWES", "Far West"},
    {"ERCO", "NCEN", "North Central"},
    {"ERCO", "NRTH", "North"},
    {"ERCO", "SCEN", "South Central"},
    {"ERCO", "SOUT", "South"},
    {"ERCO", "WEST", "West"},
    {"ISNE", "4001", "Maine"},
    {"ISNE", "4002", "New Hampshire"},
    {"ISNE", "4003", "Vermont"},
    {"ISNE", "4004", "Connecticut"},
    {"ISNE", "4005", "Rhode Island"},
    {"ISNE", "4006", "Southeast Mass."},
    {"ISNE", "4007", "Western/Central Mass."},
    {"ISNE", "4008", "Northeast Mass."},
    {"MISO", "0001", "Zone 1"},
    {"MISO", "0004", "Zone 4"},
    {"MISO", "0006", "Zone 6"},
    {"MISO", "0027", "Zones 2 and 7"},
    {"MISO", "0035", "Zones 3 and 5"},
    {"MISO", "8910", "Zones 8, 9 and 10"},
    {"NYIS", "ZONA", "West - A"},
    {"NYIS", "ZONB", "Genesee - B"},
    {"NYIS", "ZONC", "Central - C"},
    {"NYIS", "ZOND", "North - D"},
    {"NYIS", "ZONE", "Mohawk Valley - E"},
    {"NYIS", "ZONF", "Capital - F"},
    {"NYIS", "ZONG", "Hudson Valley - G"},
    {"NYIS", "ZONH", "Millwood - H"},
    {"NYIS", "ZONI", "Dunwoodie - I"},
    {"NYIS", "ZONJ", "New York City - J"},
    {"NYIS", "ZONK", "Long Island - K"},
    {"PJM", "AE", "Atlantic Electric zone"},
    {"PJM", "AEP", "American Electric Power zone"},
    {"PJM", "AP", "Allegheny Power zone"},
    {"PJM", "ATSI", "American Transmission Systems, Inc. zone"},
    {"PJM", "BC", "Baltimore Gas & Electric zone"},
    {"PJM", "CE", "Commonwealth Edison zone"},
    {"PJM", "DAY", "Dayton Power & Light zone"},
    {"PJM", "DEOK", "Duke Energy Ohio/Kentucky zone"},
    {"PJM", "DOM", "Dominion Virginia Power zone"},
    {"PJM", "DPL", "Delmarva Power & Light zone"},
    {"PJM", "DUQ", "Duquesne Lighting Company zone"},
    {"PJM", "EKPC", "East Kentucky Power Cooperative zone"},
    {"PJM", "JC", "Jersey Central Power & Light zone"},
    {"PJM", "ME", "Metropolitan Edison zone"},
    {"PJM", "PE", "PECO Energy zone"},
    {"PJM", "PEP", "Potomac Electric Power zone"},
    {"PJM", "PL", "Pennsylvania Power & Light zone"},
    {"PJM", "PN", "Pennsylvania Electric zone"},
    {"PJM", "PS", "Public Service Electric & Gas zone"},
    {"PJM", "RECO", "Rockland Electric (East) zone"},
    {"PNM", "PNM", "PNM System Firm Load"},
    {"PNM", "KAFB", "Kirtland Air Force Base"},
    {"PNM", "NTUA", "Navajo Tribal Utility Authority"},
    {"PNM", "TSGT", "Tri-State Generation and Transmission"},
    {"SWPP", "CSWS", "AEPW American Electric Power West"},
    {"SWPP", "EDE", "Empire District Electric Company"},
    {"SWPP", "GRDA", "Grand River Dam Authority"},
    {"SWPP", "INDN", "City of Independence"},
    {"SWPP", "KACY", "Kansas City Board of Public Utilities"},
    {"SWPP", "KCPL", "Kansas City Power and Light"},
    {"SWPP", "LES", "Lincoln Electric System"},
    {"SWPP", "MPS", "KCP&L Greater Missouri Operations"},
    {"SWPP", "NPPD", "Nebraska Public Power District"},
    {"SWPP", "OKGE", "Oklahoma Gas and Electric Co."},
    {"SWPP", "OPPD", "Omaha Public Power District"},
    {"SWPP", "SECI", "Sunflower Electric Power Corporation"},
    {"SWPP", "SPRM", "City of Springfield"},
    {"SWPP", "SPS", "Southwestern Public Service Company"},
    {"SWPP", "WAUE", "Western Area Power Upper Great Plains East"},
    {"SWPP", "WFEC", "Western Farmers Electric Cooperative"},
    {"SWPP", "WR", "Westar Energy"},
};

// Interconnected pairs; the interchange route serves both directions.
constexpr const char* kTies =
    "AEC-MISO AEC-SOCO AECI-MISO AECI-SPA AECI-SWPP AECI-TVA AVA-BPAT "
    "AVA-CHPD AVA-GCPD AVA-IPCO AVA-NWMT AVA-PACW AVRN-BPAT AVRN-PACW "
    "AZPS-CISO AZPS-IID AZPS-LDWP AZPS-NEVP AZPS-PACE AZPS-PNM AZPS-SRP "
    "AZPS-TEPC AZPS-WALC BANC-BPAT BANC-CISO BANC-TIDC BPAT-CHPD BPAT-CISO "
    "BPAT-DOPD BPAT-GCPD BPAT-IPCO BPAT-LDWP BPAT-NEVP BPAT-NWMT BPAT-PACW "
    "BPAT-PGE BPAT-PSEI BPAT-SCL BPAT-TPWR CHPD-DOPD CISO-IID CISO-LDWP "
    "CISO-NEVP CISO-PACW CISO-SRP CISO-TIDC CISO-WALC CPLE-DUK CPLE-PJM "
    "CPLE-SC CPLE-SCEG CPLW-DUK CPLW-PJM CPLW-TVA DEAA-SRP DUK-PJM DUK-SC "
    "DUK-SCEG DUK-SEPA DUK-TVA DUK-YAD EEI-MISO EEI-TVA EPE-PNM EPE-SRP "
    "EPE-TEPC ERCO-CISO ERCO-SWPP FMPP-FPC FMPP-FPL FMPP-JEA FPC-FPL "
    "FPC-GVL FPC-SEC FPC-SOCO FPC-TAL FPC-TEC FPL-HST FPL-JEA FPL-SEC "
    "FPL-SOCO GCPD-PSEI GRID-BPAT GRIF-WALC GWA-NWMT HGMA-SRP IID-LDWP "
    "IID-WALC IPCO-NEVP IPCO-NWMT IPCO-PACE IPCO-PACW ISNE-NYIS JEA-SEC "
    "LDWP-NEVP LDWP-PACE LDWP-WALC LGEE-MISO LGEE-PJM LGEE-TVA MISO-PJM "
    "MISO-SOCO MISO-SPA MISO-SWPP MISO-TVA NEVP-PACE NEVP-WALC NWMT-PACE "
    "NWMT-WACM NWMT-WAUW NYIS-PJM PACE-PSCO PACE-WACM PACW-PGE PACW-PSEI "
    "PGE-PSEI PJM-TVA PNM-PSCO PNM-SRP PNM-SWPP PNM-TEPC PNM-WACM PSCO-SWPP "
    "PSCO-WACM PSEI-SCL PSEI-TPWR SC-SCEG SC-SOCO SCEG-SOCO SCL-TPWR "
    "SEC-TEC SEPA-SOCO SOCO-TAL SOCO-TVA SPA-SWPP SRP-TEPC SRP-WALC "
    "SWPP-WACM SWPP-WAUW TEPC-WALC WACM-WALC WAUW-WACM WWA-NWMT";

// A stable 64-bit hash (FNV-1a) of a natural key, so series values depend on
// the key and not on the position of the series in a table.
uint64_t HashKey(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

const BaInfo* FindBa(std::string_view code) {
  for (const BaInfo& ba : kBas) {
    if (code == ba.code) return &ba;
  }
  return nullptr;
}

const char* BaName(std::string_view code) {
  const BaInfo* ba = FindBa(code);
  return ba ? ba->name : "Unknown";
}

// Sorts facet values by id and returns a map from id to index.
std::map<std::string, uint16_t> SortValues(FacetDef& facet) {
  std::sort(
      facet.values.begin(), facet.values.end(),
      [](const FacetValue& a, const FacetValue& b) { return a.id < b.id; });
  std::map<std::string, uint16_t> index;
  for (size_t i = 0; i < facet.values.size(); ++i) {
    index[facet.values[i].id] = static_cast<uint16_t>(i);
  }
  return index;
}

FacetDef RespondentFacet() {
  FacetDef f{
      "respondent", "Balancing Authority / Region", "respondent-name", {}};
  for (const BaInfo& ba : kBas) f.values.push_back({ba.code, ba.name});
  return f;
}

FacetDef TableFacet(const char* id, const char* description,
                    const char* name_field, const CodeName* table, size_t n) {
  FacetDef f{id, description, name_field, {}};
  for (size_t i = 0; i < n; ++i)
    f.values.push_back({table[i].code, table[i].name});
  return f;
}

FacetDef TimezoneFacet() {
  return TableFacet("timezone", "Time Zone for Determining Date",
                    "timezone-description", kTimezones, std::size(kTimezones));
}

// When a fuel started being reported for a BA. Most series cover the whole
// range; a few start later so that totals are not a simple product and the
// pager must cope with a changing number of rows per period.
int64_t FuelFirstHour(std::string_view ba, std::string_view fuel) {
  if (fuel == "BAT") return 473352;  // 2024-01-01T00
  if (fuel == "SUN" && ba != "CISO" && ba != "US48")
    return 425808;  // 2018-07-01T00
  if (fuel == "GEO") return 425808;
  return kFirstHour;
}

Shape FuelShape(std::string_view fuel) {
  if (fuel == "SUN") return Shape::kSolar;
  if (fuel == "WND") return Shape::kWind;
  if (fuel == "NUC" || fuel == "COL" || fuel == "GEO") return Shape::kBaseload;
  if (fuel == "BAT") return Shape::kSigned;
  return Shape::kFollowing;
}

// Share of a BA's demand each fuel supplies, before normalisation.
double FuelWeight(std::string_view fuel) {
  if (fuel == "NG") return 0.40;
  if (fuel == "COL") return 0.20;
  if (fuel == "NUC") return 0.18;
  if (fuel == "WAT") return 0.12;
  if (fuel == "WND") return 0.10;
  if (fuel == "SUN") return 0.06;
  if (fuel == "OIL") return 0.005;
  if (fuel == "BAT") return 0.01;
  return 0.02;
}

void Finish(Route& route, bool daily) {
  route.daily = daily;
  route.first_period = daily ? kFirstDay : kFirstHour;
  route.last_period = daily ? kLastDay : kLastHour;
  std::sort(route.series.begin(), route.series.end(),
            [](const Series& a, const Series& b) {
              return a.value_index < b.value_index;
            });
}

int64_t ToPeriod(int64_t hour, bool daily) {
  return daily ? (hour + 23) / 24 : hour;
}

Route MakeFuelRoute(bool daily) {
  Route r;
  r.id = daily ? "daily-fuel-type-data" : "fuel-type-data";
  r.name = daily ? "Daily Generation by Energy Source"
                 : "Hourly Generation by Energy Source";
  r.description =
      daily ? "Daily net generation by balancing authority and energy "
              "source.  \n    Source: Form EIA-930\n    Product: Hourly "
              "Electric Grid Monitor"
            : "Hourly net generation by balancing authority and energy "
              "source.  \n    Source: Form EIA-930\n    Product: Hourly "
              "Electric Grid Monitor";
  r.data_alias = "Net Generation";
  r.facets.push_back(RespondentFacet());
  r.facets.push_back(TableFacet("fueltype", "Energy Source", "type-name",
                                kFuelNames, std::size(kFuelNames)));
  if (daily) r.facets.push_back(TimezoneFacet());
  auto ba_index = SortValues(r.facets[0]);
  auto fuel_index = SortValues(r.facets[1]);
  if (daily) SortValues(r.facets[2]);
  for (const BaInfo& ba : kBas) {
    auto fuels = Split(ba.fuels, ',');
    double total_weight = 0;
    for (auto fuel : fuels) total_weight += FuelWeight(fuel);
    for (auto fuel : fuels) {
      Series s;
      s.value_index[0] = ba_index.at(ba.code);
      s.value_index[1] = fuel_index.at(std::string(fuel));
      s.first_period = ToPeriod(FuelFirstHour(ba.code, fuel), daily);
      s.last_period = daily ? kLastDay : kLastHour;
      double demand = ba.demand_mwh > 0 ? ba.demand_mwh : 300;
      s.scale = demand * FuelWeight(fuel) / total_weight * (daily ? 24 : 1);
      s.shape = FuelShape(fuel);
      s.utc_offset_h = static_cast<int8_t>(StandardOffsetHours(ba.zone));
      s.zone = ba.zone;
      std::string key = std::string(ba.code) + "|" + std::string(fuel);
      int zones = daily ? static_cast<int>(std::size(kTimezones)) : 1;
      for (int z = 0; z < zones; ++z) {
        s.value_index[2] = static_cast<uint16_t>(z);
        s.key_hash = HashKey(key + "|" + std::to_string(z));
        r.series.push_back(s);
      }
    }
  }
  Finish(r, daily);
  return r;
}

Route MakeRegionRoute(bool daily) {
  Route r;
  r.id = daily ? "daily-region-data" : "region-data";
  r.name = daily ? "Daily Demand, Demand Forecast, Generation, and Interchange"
                 : "Hourly Demand, Demand Forecast, Generation, and "
                   "Interchange";
  r.description =
      daily ? "Daily demand, day-ahead demand forecast, net generation, and "
              "interchange by balancing authority.  \n    Source: Form "
              "EIA-930\n    Product: Hourly Electric Grid Monitor"
            : "Hourly demand, day-ahead demand forecast, net generation, and "
              "interchange by balancing authority.  \n    Source: Form "
              "EIA-930\n    Product: Hourly Electric Grid Monitor";
  r.data_alias = "Demand, Forecast, Generation, Interchange";
  r.facets.push_back(RespondentFacet());
  r.facets.push_back(TableFacet("type", "Type", "type-name", kTypeNames,
                                std::size(kTypeNames)));
  if (daily) r.facets.push_back(TimezoneFacet());
  auto ba_index = SortValues(r.facets[0]);
  auto type_index = SortValues(r.facets[1]);
  if (daily) SortValues(r.facets[2]);
  for (const BaInfo& ba : kBas) {
    for (const CodeName& type : kTypeNames) {
      Series s;
      s.value_index[0] = ba_index.at(ba.code);
      s.value_index[1] = type_index.at(type.code);
      s.first_period = daily ? kFirstDay : kFirstHour;
      s.last_period = daily ? kLastDay : kLastHour;
      double demand = ba.demand_mwh > 0 ? ba.demand_mwh : 300;
      bool ti = std::string_view(type.code) == "TI";
      s.scale = (ti ? demand * 0.15 : demand) * (daily ? 24 : 1);
      s.shape = ti ? Shape::kSigned : Shape::kDemand;
      s.utc_offset_h = static_cast<int8_t>(StandardOffsetHours(ba.zone));
      s.zone = ba.zone;
      std::string key = std::string(ba.code) + "|" + type.code;
      int zones = daily ? static_cast<int>(std::size(kTimezones)) : 1;
      for (int z = 0; z < zones; ++z) {
        s.value_index[2] = static_cast<uint16_t>(z);
        s.key_hash = HashKey(key + "|" + std::to_string(z));
        r.series.push_back(s);
      }
    }
  }
  Finish(r, daily);
  return r;
}

Route MakeSubBaRoute() {
  Route r;
  r.id = "region-sub-ba-data";
  r.name = "Hourly Demand by Subregion";
  r.description =
      "Hourly demand by balancing authority subregion.  \n    Source: Form "
      "EIA-930\n    Product: Hourly Electric Grid Monitor";
  r.data_alias = "Demand";
  FacetDef subba{"subba", "Sub-Balancing Authority", "subba-name", {}};
  FacetDef parent{"parent", "Balancing Authority", "parent-name", {}};
  for (const SubBa& s : kSubBas) {
    subba.values.push_back({s.code, s.name});
    bool seen = false;
    for (const FacetValue& v : parent.values) seen = seen || v.id == s.parent;
    if (!seen) parent.values.push_back({s.parent, BaName(s.parent)});
  }
  r.facets = {subba, parent};
  auto subba_index = SortValues(r.facets[0]);
  auto parent_index = SortValues(r.facets[1]);
  for (const SubBa& sb : kSubBas) {
    const BaInfo* ba = FindBa(sb.parent);
    Series s;
    s.value_index[0] = subba_index.at(sb.code);
    s.value_index[1] = parent_index.at(sb.parent);
    // Sub-region data starts later than the BA data, as on the live API.
    s.first_period = 402216;  // 2015-11-20T00... roughly; any fixed hour.
    s.last_period = kLastHour;
    s.scale = ba->demand_mwh / 12;
    s.shape = Shape::kDemand;
    s.utc_offset_h = static_cast<int8_t>(StandardOffsetHours(ba->zone));
    s.zone = ba->zone;
    s.key_hash = HashKey(std::string(sb.parent) + "|" + sb.code);
    r.series.push_back(s);
  }
  Finish(r, false);
  return r;
}

Route MakeInterchangeRoute() {
  Route r;
  r.id = "interchange-data";
  r.name = "Hourly Interchange by Neighboring Balancing Authority";
  r.description =
      "Hourly net interchange between neighboring balancing authorities.  \n"
      "    Source: Form EIA-930\n    Product: Hourly Electric Grid Monitor";
  r.data_alias = "Interchange";
  FacetDef from{
      "fromba", "Balancing Authority / Region From", "fromba-name", {}};
  FacetDef to{"toba", "Balancing Authority / Region To", "toba-name", {}};
  std::vector<std::pair<std::string, std::string>> pairs;
  for (auto tie : Split(kTies, ' ')) {
    auto ends = Split(tie, '-');
    pairs.emplace_back(std::string(ends[0]), std::string(ends[1]));
    pairs.emplace_back(std::string(ends[1]), std::string(ends[0]));
  }
  for (const BaInfo& ba : kBas) {
    if (std::string_view(ba.code) == "US48") continue;
    from.values.push_back({ba.code, ba.name});
    to.values.push_back({ba.code, ba.name});
  }
  r.facets = {from, to};
  auto from_index = SortValues(r.facets[0]);
  auto to_index = SortValues(r.facets[1]);
  for (const auto& [a, b] : pairs) {
    const BaInfo* ba = FindBa(a);
    const BaInfo* bb = FindBa(b);
    Series s;
    s.value_index[0] = from_index.at(a);
    s.value_index[1] = to_index.at(b);
    s.first_period = kFirstHour;
    s.last_period = kLastHour;
    s.scale = std::min(ba->demand_mwh, bb->demand_mwh) * 0.1 + 50;
    s.shape = Shape::kSigned;
    s.utc_offset_h = static_cast<int8_t>(StandardOffsetHours(ba->zone));
    s.zone = ba->zone;
    s.key_hash = HashKey(a + "|" + b);
    r.series.push_back(s);
  }
  Finish(r, false);
  return r;
}

}  // namespace

const std::vector<Route>& Routes() {
  static const std::vector<Route> routes = [] {
    std::vector<Route> all;
    all.push_back(MakeRegionRoute(false));
    all.push_back(MakeFuelRoute(false));
    all.push_back(MakeSubBaRoute());
    all.push_back(MakeInterchangeRoute());
    all.push_back(MakeRegionRoute(true));
    all.push_back(MakeFuelRoute(true));
    return all;
  }();
  return routes;
}

const Route* FindRoute(std::string_view id) {
  for (const Route& r : Routes()) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's days_from_civil algorithm (public domain description).
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

namespace {
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}
}  // namespace

namespace {
void PutDigits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}
}  // namespace

int StandardOffsetHours(Zone zone) {
  switch (zone) {
    case Zone::kEastern:
      return -5;
    case Zone::kCentral:
      return -6;
    case Zone::kMountain:
    case Zone::kArizona:
      return -7;
    case Zone::kPacific:
      return -8;
  }
  return 0;
}

namespace {
// Day (since 1970-01-01) of the n-th Sunday (n >= 1) of a month.
int64_t NthSunday(int64_t year, unsigned month, int n) {
  int64_t first = DaysFromCivil(year, month, 1);
  // 1970-01-01 was a Thursday: (days + 4) % 7 is 0 on a Sunday.
  int64_t weekday = ((first + 4) % 7 + 7) % 7;
  return first + (7 - weekday) % 7 + 7 * (n - 1);
}
}  // namespace

int UtcOffsetHours(Zone zone, int64_t utc_hour) {
  int standard = StandardOffsetHours(zone);
  if (zone == Zone::kArizona) return standard;
  int64_t local_hour = utc_hour + standard;
  int64_t days = local_hour >= 0 ? local_hour / 24 : (local_hour - 23) / 24;
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  // Both switches happen at 02:00 on the wall clock: 02:00 standard time in
  // March, 02:00 daylight time (01:00 standard) in November.
  int64_t begin = (NthSunday(year, 3, 2) * 24 + 2) - standard;
  int64_t end = (NthSunday(year, 11, 1) * 24 + 1) - standard;
  return utc_hour >= begin && utc_hour < end ? standard + 1 : standard;
}

std::string FormatLocalPeriod(int64_t utc_hour, Zone zone) {
  int offset = UtcOffsetHours(zone, utc_hour);
  std::string text = FormatPeriod(utc_hour + offset, false);
  char suffix[3];
  PutDigits(suffix, static_cast<unsigned>(offset < 0 ? -offset : offset), 2);
  text.push_back(offset < 0 ? '-' : '+');
  text.append(suffix, 2);
  return text;
}

std::string FormatPeriod(int64_t period, bool daily) {
  int64_t days =
      daily ? period : (period >= 0 ? period / 24 : (period - 23) / 24);
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  // Hand-rolled: this runs once per period on the page-writing path.
  char buf[13] = {0, 0, 0, 0, '-', 0, 0, '-', 0, 0, 'T', 0, 0};
  PutDigits(buf, static_cast<unsigned>(y), 4);
  PutDigits(buf + 5, m, 2);
  PutDigits(buf + 8, d, 2);
  if (daily) return std::string(buf, 10);
  PutDigits(buf + 11, static_cast<unsigned>(period - days * 24), 2);
  return std::string(buf, 13);
}

}  // namespace eiabench::mock
