// Original file: proto/Flight.proto


export interface CloseSessionRequest {
}

export interface CloseSessionRequest__Output {
}
