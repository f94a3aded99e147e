// Original file: proto/FlightSql.proto


export interface CommandGetTableTypes {
}

export interface CommandGetTableTypes__Output {
}
