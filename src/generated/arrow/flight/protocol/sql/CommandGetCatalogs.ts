// Original file: proto/FlightSql.proto


export interface CommandGetCatalogs {
}

export interface CommandGetCatalogs__Output {
}
