// Original file: proto/Flight.proto


export interface Empty {
}

export interface Empty__Output {
}
