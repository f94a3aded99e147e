// Original file: proto/FlightSql.proto


export interface ActionBeginTransactionRequest {
}

export interface ActionBeginTransactionRequest__Output {
}
