extension Duration {
    /// The duration in seconds, as a floating-point number (for reports and limits given in seconds).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
